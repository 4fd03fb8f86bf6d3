import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

import type { Granularity, PeriodTrend } from "../../api/trends";
import { interval, periodName, signed } from "./period";
import { chartData } from "./series";

const LINE = "#0b5cad";
const BAND = "rgba(11, 92, 173, 0.16)";
const INK = "#4d5766";
const GRID = "#e3e7ed";
const HEIGHT = 300;
const TICK = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

// A level line at zero: above it a category is spoken of more well than ill.
function drawZero(chart: uPlot) {
  const { ctx, bbox } = chart;
  const y = Math.round(chart.valToPos(0, "y", true));
  ctx.save();
  ctx.strokeStyle = "#8b96a8";
  ctx.lineWidth = 1;
  ctx.setLineDash([4, 4]);
  ctx.beginPath();
  ctx.moveTo(bbox.left, y);
  ctx.lineTo(bbox.left + bbox.width, y);
  ctx.stroke();
  ctx.restore();
}

function options(width: number, onHover: (index: number | null) => void): uPlot.Options {
  return {
    width,
    height: HEIGHT,
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 8 } },
    scales: { x: { time: true }, y: { auto: false, range: [-1, 1] } },
    axes: [
      {
        stroke: INK,
        grid: { stroke: GRID },
        ticks: { stroke: GRID },
        // Days as the table writes them ("16 Feb"), in UTC like the periods themselves.
        values: (_chart, splits) => splits.map((seconds) => TICK.format(new Date(seconds * 1000))),
      },
      {
        stroke: INK,
        grid: { stroke: GRID },
        ticks: { stroke: GRID },
        label: "Net score",
        size: 56,
        values: (_chart, splits) => splits.map((value) => signed(value, 1)),
      },
    ],
    series: [
      {},
      { label: "95% interval, low", stroke: "transparent", points: { show: false } },
      { label: "95% interval, high", stroke: "transparent", points: { show: false } },
      {
        label: "Net score",
        stroke: LINE,
        width: 2,
        points: { show: true, size: 6, fill: LINE },
      },
    ],
    bands: [{ series: [2, 1], fill: BAND }],
    hooks: {
      drawAxes: [drawZero],
      setCursor: [(chart) => onHover(chart.cursor.idx ?? null)],
    },
  };
}

interface TrendChartProps {
  category: string;
  periods: readonly PeriodTrend[];
  granularity: Granularity;
}

/** The net score per period as a line inside its 95% interval band. The table of the same
 * figures is the accessible reading; the chart is described for screen readers. */
export function TrendChart({ category, periods, granularity }: TrendChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const [hovered, setHovered] = useState<number | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const chart = new uPlot(options(element.clientWidth, setHovered), chartData(periods), element);
    const resize = new ResizeObserver(() => {
      chart.setSize({ width: element.clientWidth, height: HEIGHT });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      setHovered(null);
    };
  }, [periods]);

  const point = hovered === null ? null : periods[hovered];
  const withRequests = periods.filter((period) => period.total > 0);
  const lowest = withRequests.reduce<PeriodTrend | null>(
    (low, period) => (low === null || (period.net ?? 0) < (low.net ?? 0) ? period : low),
    null,
  );

  return (
    <figure class="trend-chart">
      <div
        ref={box}
        class="chart-box"
        role="img"
        aria-label={`Net score of ${category} per ${granularity}, with its 95% interval as a band; the same figures are in the table.`}
      />
      <figcaption>
        <span class="key">
          <span class="swatch line" aria-hidden="true" /> Net score: (positive − negative) ÷
          requests, from −1 to +1
        </span>
        <span class="key">
          <span class="swatch band" aria-hidden="true" /> 95% interval: wide where there are few
          requests
        </span>
        <span class="readout" aria-hidden="true">
          {point
            ? `${periodName(point.period_start, granularity)}: ${signed(point.net)} (${
                point.total > 0 ? interval(point.net_low, point.net_high) : "no requests"
              }), ${point.total} requests`
            : lowest
              ? `Lowest: ${periodName(lowest.period_start, granularity)} at ${signed(lowest.net)}`
              : ""}
        </span>
      </figcaption>
    </figure>
  );
}
