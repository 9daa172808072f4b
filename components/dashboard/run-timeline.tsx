import { formatDateTime } from "@/components/ui/format";
import type { Stats } from "@/lib/schemas/stats";

const WIDTH = 720;
const HEIGHT = 120;
const STACK = ["success", "failed", "cancelled", "running", "pending"] as const;

/** Runs per hour (or day) stacked by status; every bar names its period and counts in a tooltip. */
export function RunTimeline({ stats }: { stats: Stats }) {
  const totals = stats.timeline.map((entry) => STACK.reduce((sum, status) => sum + entry[status], 0));
  const max = Math.max(1, ...totals);
  const slot = WIDTH / Math.max(stats.timeline.length, 1);
  const busiest = stats.timeline[totals.indexOf(Math.max(...totals))];
  const label = `Runs per ${stats.bucket}: ${stats.runs.total} in total${busiest && max > 0 ? `, at most ${max} in one ${stats.bucket}` : ""}`;
  return (
    <figure className="trend">
      <figcaption>
        Runs per {stats.bucket} <span className="muted small">(max {max})</span>
      </figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={label}>
        <line x1={0} y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} className="trend-axis" />
        {stats.timeline.map((entry, i) => {
          let top = HEIGHT;
          const when = formatDateTime(entry.start);
          const counts = STACK.filter((status) => entry[status] > 0).map((status) => `${entry[status]} ${status}`);
          return (
            <g key={entry.start}>
              <title>{`${when}: ${counts.length ? counts.join(", ") : "no runs"}`}</title>
              <rect x={i * slot} width={slot} y={0} height={HEIGHT} fill="transparent" />
              {STACK.map((status) => {
                const height = (entry[status] / max) * (HEIGHT - 4);
                if (height === 0) return null;
                top -= height;
                return <rect key={status} x={i * slot + 1} width={Math.max(1, slot - 2)} y={top} height={height} className={`trend-${status}`} />;
              })}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
