;; Gateway WASM filter test module: never returns (an endless loop), to test the time limit.
(module
  (memory (export "memory") 1)
  (func (export "on_request") (result i32)
    (loop $forever (br $forever))
    (i32.const 0)))
