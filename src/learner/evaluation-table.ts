import type { EvaluationReport } from '../model/learner/evaluation.js';

const f3 = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(3));
const f4 = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(4));

/** An evaluation as a terminal would show it: the metrics beside the references, calibration, the forecast. */
export function evaluationTable(title: string, report: EvaluationReport): string {
  const row = (name: string, s: { auc: number; rmse: number; log_loss: number }) =>
    `  ${name.padEnd(30)} ${f4(s.auc).padStart(7)} ${f4(s.rmse).padStart(7)} ${f4(s.log_loss).padStart(9)}`;
  const f = report.forecast;
  return [
    title,
    '',
    `  next answer (${report.model.answers} held-out first attempts)  AUC     RMSE   log loss`,
    row('learner model', report.model),
    row('reference: topic mean', report.references.topic_mean),
    row("reference: seed's topic quiz", report.references.seed_quiz),
    '',
    '  calibration      mean predicted  observed   answers',
    ...report.model.calibration.map(
      (b) =>
        `  ${b.from.toFixed(1)}–${b.to.toFixed(1)}          ${(b.mean_predicted === null ? '—' : f3(b.mean_predicted)).padStart(7)}   ${(b.observed === null ? '—' : f3(b.observed)).padStart(7)}   ${String(b.count).padStart(7)}`,
    ),
    '',
    `  7-day forecast (${f.points} student-days)  mean absolute error ${f4(f.mean_absolute_error)}; "no change" ${f4(f.no_change_mean_absolute_error)}`,
    `  80 % interval held the score reached ${(f.interval_coverage * 100).toFixed(1)} % of the time`,
  ].join('\n');
}
