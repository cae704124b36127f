/**
 * Imported before onnxruntime-node, for its side effect alone.
 *
 * ONNX Runtime's Linux builds carry a telemetry SDK that, unless told not
 * to, writes `.ses` and `mat-debug-<pid>.log` into the temp folder of every
 * process that loads the runtime and tries to upload events. A gateway must
 * not call out to anyone, and a stopped demo must leave its temp folder as it
 * found it. A value set by the operator is kept.
 */
process.env['ORT_DISABLE_TELEMETRY'] ??= '1';
