;; Gateway WASM filter test module: starts with 32 memory pages (2 MiB), over a 16-page limit.
(module
  (memory (export "memory") 32)
  (func (export "on_request") (result i32)
    (i32.const 0)))
