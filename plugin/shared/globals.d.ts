/** The AMD `module` dependency SystemJS passes to a plugin's `module.js` (webpack external). */
declare module 'amd-module' {
  const amdModule: { uri?: string; id?: string } | undefined;
  export default amdModule;
}

/** webpack's run-time public path (free variable). */
declare let __webpack_public_path__: string;

/** The id of the plugin being built (webpack DefinePlugin). */
declare const FLEETLENS_PLUGIN_ID: string;
