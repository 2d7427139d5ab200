/**
 * A progress bar on a terminal (redrawn in place), or a line every tenth of the way when the
 * output is a file or a pipe, so logs stay readable.
 */
export function progressBar(out: NodeJS.WriteStream, total: number, unit: string) {
  const width = 30;
  let lastTenth = -1;
  const line = (done: number) => {
    const share = total === 0 ? 1 : done / total;
    const filled = Math.round(share * width);
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${unit} ${Math.round(share * 100)}%`;
  };
  return {
    update(done: number) {
      if (out.isTTY) {
        out.write(`\r${line(done)}`);
        return;
      }
      const tenth = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        out.write(`${line(done)}\n`);
      }
    },
    finish() {
      if (out.isTTY) out.write('\n');
    },
  };
}
