export { AleVectorEnv, resolveOptions, type AleVectorEnvOptions } from './aleVectorEnv.js';
export { ADDON_PATH, BUILD_FIX, addonPath, isAddonBuilt, loadAddon, type NativeOutputs } from './addon.js';
export { availableGames, romDirectory, romName, romPath } from './roms.js';
