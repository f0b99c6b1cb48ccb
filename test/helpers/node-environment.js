// jest's node environment gives each suite its own typed-array constructors (it shares only ArrayBuffer and
// Uint8Array with Node). onnxruntime-node creates output arrays in Node's main realm, which onnxruntime-common then
// rejects ("A float32 tensor's data must be type of function Float32Array()", microsoft/onnxruntime#16622).
// Sharing Node's own constructors, as jest already does for Uint8Array, makes both sides agree.
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array'];

class SharedTypedArrayEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}
module.exports = SharedTypedArrayEnvironment;
