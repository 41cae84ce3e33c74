import type { CoreConfig, MemoryCore } from './memoryCore.js';

/** Rebuilds a core from its `config()` JSON (fresh weights; load saved ones with `setWeights`). */
export type CoreFactory = (config: CoreConfig) => MemoryCore;

/** The packages that register the plugin cores this repository ships, for the message of a missing one. */
const PLUGIN_PACKAGES: Readonly<Record<string, string>> = { rim: '@mempo/rim', iam: '@mempo/iam' };

const factories = new Map<string, CoreFactory>();

/**
 * Makes a core buildable from its saved config by `name` (what `config().name` returns), the way
 * tfjs-layers' serialization registry maps class names to classes. Loading an agent (`loadAgent` in
 * @mempo/ppo) looks the saved core up here, so PPO never names a plugin: core-attention registers LSTM,
 * GRU and FNN, each plugin package registers its cores when imported, and user code registers its own.
 * Registering a name again replaces its factory.
 *
 * @example
 * registerCore('my-core', (config) => new MyCore(config as MyCoreArgs));
 */
export function registerCore(name: string, fromConfig: CoreFactory): void {
  factories.set(name, fromConfig);
}

/** The names {@link coreFromConfig} can build, sorted. */
export function registeredCores(): string[] {
  return [...factories.keys()].sort();
}

/**
 * Builds a core from its `config()` JSON through the factory registered for `config.name`; fails naming
 * what to import (or register) when there is none.
 *
 * @example
 * const copy = coreFromConfig(core.config());
 */
export function coreFromConfig(config: CoreConfig): MemoryCore {
  if (typeof config?.name !== 'string') throw new Error(`a core config needs a string 'name' (got ${JSON.stringify(config?.name)})`);
  const factory = factories.get(config.name);
  if (factory) return factory(config);
  const plugin = PLUGIN_PACKAGES[config.name];
  const fix = plugin ? `import '${plugin}' before loadAgent` : `call registerCore('${config.name}', …) before loadAgent`;
  throw new Error(`core '${config.name}' is not registered: ${fix}`);
}
