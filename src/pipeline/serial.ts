/**
 * Runs async tasks one after another. The read–fold–write of student records must not
 * interleave within a process, or two batches about one student would each write over the other.
 */
export function createSerial() {
  let tail: Promise<unknown> = Promise.resolve();
  return function run<T>(task: () => Promise<T>): Promise<T> {
    const result = tail.then(task, task);
    tail = result.catch(() => undefined);
    return result;
  };
}
