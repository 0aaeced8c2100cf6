// Builds dist/: the app plugin and, nested in it, the data source and the three panels.
//
// One compiler per plugin (a multi-config array): each writes its module.js, lazy chunks and
// .wasm into its own folder, so whatever URL Grafana loads a nested module.js from, its chunk and
// wasm sit beside it. Every module.js is AMD with Grafana's libraries as externals; its public
// path is set at run time from the AMD `module` dependency (plugin/shared/public-path.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import CopyWebpackPlugin from 'copy-webpack-plugin';
import webpack from 'webpack';

const root = path.dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Plugins: id, source folder under plugin/, output folder under dist/. */
export const PLUGINS = [
  { id: 'fleetlens-app', src: 'app', out: '' },
  { id: 'fleetlens-views-datasource', src: 'datasource', out: 'datasource' },
  { id: 'fleetlens-cost-panel', src: 'panels/cost', out: 'panels/cost' },
  { id: 'fleetlens-slo-panel', src: 'panels/slo', out: 'panels/slo' },
  { id: 'fleetlens-agents-panel', src: 'panels/agents', out: 'panels/agents' },
];

/** Provided by Grafana at run time: never bundled. */
export const EXTERNALS = [
  'react',
  'react-dom',
  'react/jsx-runtime',
  '@grafana/data',
  '@grafana/ui',
  '@grafana/runtime',
  'rxjs',
  'lodash',
  '@emotion/css',
  '@emotion/react',
  'moment',
  'd3',
  'react-router',
  'react-router-dom',
  'redux',
  'react-redux',
  'i18next',
  'jquery',
  'slate',
  'prismjs',
];

/** Build date for plugin.json `updated`; SOURCE_DATE_EPOCH makes it reproducible. */
function today() {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  return new Date(Number.isFinite(epoch) && epoch > 0 ? epoch * 1000 : Date.now()).toISOString().slice(0, 10);
}

function pluginJson(content) {
  return content.toString().replace(/%VERSION%/g, pkg.version).replace(/%TODAY%/g, today());
}

function config({ id, src, out }, mode) {
  const dir = path.join(root, 'plugin', src);
  const isApp = out === '';
  const copies = [
    { from: path.join(dir, 'plugin.json'), to: '.', transform: pluginJson },
    { from: path.join(dir, 'img'), to: 'img' },
  ];
  if (isApp) {
    // Required in the release archive (scripts/package.mjs checks); optional for a dev build.
    for (const file of ['README.md', 'CHANGELOG.md', 'LICENSE']) {
      copies.push({ from: path.join(root, file), to: '.', noErrorOnMissing: true });
    }
  }
  return {
    name: id,
    mode,
    target: ['web', 'es2020'],
    context: root,
    devtool: 'source-map',
    entry: { module: [path.join(root, 'plugin/shared/public-path.ts'), path.join(dir, 'module.ts')] },
    output: {
      path: path.join(root, 'dist', out),
      filename: '[name].js',
      chunkFilename: '[name].[contenthash:8].js',
      assetModuleFilename: '[name].[contenthash:8][ext]',
      library: { type: 'amd' },
      uniqueName: id,
      publicPath: `public/plugins/${id}/`,
      // The app's folder holds the nested plugins' folders, which their own compilers write.
      clean: isApp ? { keep: /^(datasource|panels)[\\/]/ } : true,
    },
    externals: [{ 'amd-module': 'module' }, ...EXTERNALS, /^@grafana\/(data|ui|runtime)\//],
    resolve: { extensions: ['.ts', '.tsx', '.js'] },
    module: {
      rules: [
        {
          test: /\.tsx?$/,
          exclude: /node_modules/,
          use: {
            // Type checking is `npm run typecheck`'s job; here TypeScript only strips types.
            loader: 'ts-loader',
            options: {
              transpileOnly: true,
              compilerOptions: { noEmit: false, target: 'ES2020', module: 'ESNext', jsx: 'react', sourceMap: true },
            },
          },
        },
      ],
    },
    plugins: [
      new webpack.DefinePlugin({ FLEETLENS_PLUGIN_ID: JSON.stringify(id) }),
      new CopyWebpackPlugin({ patterns: copies }),
    ],
    performance: { hints: false },
    stats: 'errors-warnings',
  };
}

export default (_env, argv) => PLUGINS.map((plugin) => config(plugin, argv.mode ?? 'production'));
