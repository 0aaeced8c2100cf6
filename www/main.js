// Decodes the sample response with the engine and shows its series and the sum of their latest values.
import init, { decodePrometheus, sumLatest, version } from './pkg/fleetlens.js';

const SAMPLE = 'samples/cost_matrix.json';
const $ = (id) => document.getElementById(id);

/** `name{k="v", …}` as Prometheus prints a series. */
function seriesName(labels) {
  const { __name__: name = '', ...rest } = labels;
  const pairs = Object.keys(rest)
    .sort()
    .map((key) => `${key}="${rest[key]}"`);
  return pairs.length > 0 || name === '' ? `${name}{${pairs.join(', ')}}` : name;
}

const point = (times, values, i) =>
  i < 0 || i >= times.length ? '–' : `${new Date(times[i]).toISOString().replace('.000Z', 'Z')}  ${values[i]}`;

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  return td;
}

async function main() {
  await init({ module_or_path: new URL('./pkg/fleetlens_bg.wasm', import.meta.url) });
  $('version').textContent = `v${version()}`;

  const response = await fetch(SAMPLE);
  if (!response.ok) {
    throw new Error(`${SAMPLE}: HTTP ${response.status}`);
  }
  const decoded = decodePrometheus(new Uint8Array(await response.arrayBuffer()));
  try {
    const columns = [];
    for (let i = 0; i < decoded.seriesCount; i++) {
      const times = decoded.times(i);
      const values = decoded.values(i);
      columns.push(values);
      const row = document.createElement('tr');
      const name = document.createElement('code');
      name.textContent = seriesName(decoded.labels(i));
      const label = cell('');
      label.append(name);
      row.append(cell(String(i + 1)), label, cell(String(values.length), 'num'), cell(point(times, values, 0)), cell(point(times, values, values.length - 1)));
      $('rows').append(row);
    }
    const all = new Float64Array(columns.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const c of columns) {
      all.set(c, offset);
      offset += c.length;
    }
    const total = sumLatest(all, Uint32Array.from(columns, (c) => c.length));
    $('total').textContent = total.sum === null ? 'No data' : `$${total.sum.toFixed(4)}`;
    $('caption').textContent = `sum of latest values across ${total.seriesTotal} series (${total.seriesWithData} with data), ${decoded.pointCount} points, result type ${decoded.resultType}`;
  } finally {
    decoded.free();
  }
}

main().catch((err) => {
  $('total').textContent = '';
  $('error').hidden = false;
  $('error').textContent = `FleetLens engine error: ${err instanceof Error ? err.message : String(err)}`;
});
