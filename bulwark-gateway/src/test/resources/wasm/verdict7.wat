;; Gateway WASM filter test module: returns 7, which is neither allow (0) nor a 4xx/5xx denial.
(module
  (memory (export "memory") 1)
  (func (export "on_request") (result i32)
    (i32.const 7)))
