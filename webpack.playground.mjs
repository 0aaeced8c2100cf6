// Builds the playground's host page (www/src/) into target/playground/: host.js bundles Grafana's
// run-time libraries (the real @grafana/data, @grafana/ui, @grafana/runtime, react, react-dom, rxjs
// and @emotion/css npm packages) that the plugins in dist/ receive as their AMD externals; the
// plugins are loaded by the SystemJS that @grafana/runtime 9.4 bundles and exports, as in Grafana.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import CopyWebpackPlugin from 'copy-webpack-plugin';
import webpack from 'webpack';

const root = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

export default (_env, argv) => ({
  name: 'playground',
  mode: argv.mode ?? 'production',
  target: ['web', 'es2020'],
  context: root,
  devtool: false,
  entry: { host: path.join(root, 'www/src/host.tsx') },
  output: {
    path: path.join(root, 'target/playground'),
    filename: '[name].js',
    chunkFilename: '[name].[contenthash:8].js',
    publicPath: '/build/',
    clean: true,
  },
  resolve: {
    extensions: ['.ts', '.tsx', '.js', '.mjs'],
    // SystemJS' Node code paths, never taken in a browser.
    fallback: { fs: false, path: false, url: false, module: false },
  },
  module: {
    rules: [
      {
        test: /\.tsx?$/,
        exclude: /node_modules/,
        use: {
          loader: 'ts-loader',
          options: {
            transpileOnly: true,
            compilerOptions: { noEmit: false, target: 'ES2020', module: 'ESNext', jsx: 'react' },
          },
        },
      },
      { test: /\.m?js$/, resolve: { fullySpecified: false } },
    ],
  },
  plugins: [
    new webpack.DefinePlugin({ 'process.env.NODE_ENV': JSON.stringify(argv.mode ?? 'production') }),
    // uPlot's stylesheet, which Grafana's own CSS includes: @grafana/ui's TimeSeries draws with uPlot.
    new CopyWebpackPlugin({ patterns: [{ from: require.resolve('uplot/dist/uPlot.min.css'), to: 'uPlot.min.css' }] }),
  ],
  performance: { hints: false },
  stats: 'errors-warnings',
});
