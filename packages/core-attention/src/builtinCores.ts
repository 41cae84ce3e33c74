import { registerCore } from './coreRegistry.js';
import type { FlatCoreArgs } from './flatCoreArgs.js';
import { FNNCore } from './fnnCore.js';
import { GRUCore } from './gruCore.js';
import { LSTMCore } from './lstmCore.js';

// The baselines' config() is `{ name, ...constructor args }`, so the args are the config without its name.
const args = ({ name: _name, ...rest }: { name: string }): FlatCoreArgs => rest as unknown as FlatCoreArgs;

// The LSTM's config also carries its cell's init and forgetBias when set (LSTMCore's args).
registerCore('lstm', (config) => new LSTMCore(args(config)));
registerCore('gru', (config) => new GRUCore(args(config)));
registerCore('fnn', (config) => new FNNCore(args(config)));
