;; Gateway WASM filter test module: traps on every request.
(module
  (memory (export "memory") 1)
  (func (export "on_request") (result i32)
    unreachable))
