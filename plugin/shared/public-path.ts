/**
 * First module of every plugin entry: points webpack's public path at the folder this
 * `module.js` was loaded from, so the engine chunk and `.wasm` are fetched from beside it.
 *
 * Grafana gives a nested plugin different URLs by version (9.4–12.0:
 * `public/plugins/<app-id>/panels/cost/module.js`; later: `public/plugins/<nested-id>/module.js`);
 * both serve the same folder. SystemJS hands the URL to AMD modules as the `module` dependency.
 */
import amdModule from 'amd-module';

const uri = amdModule?.uri;
__webpack_public_path__ = uri ? uri.slice(0, uri.lastIndexOf('/') + 1) : `public/plugins/${FLEETLENS_PLUGIN_ID}/`;
