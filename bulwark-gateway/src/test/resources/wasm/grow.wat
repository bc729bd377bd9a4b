;; Gateway WASM filter test module: tries to grow its memory by 64 pages (4 MiB) and tells the
;; upstream whether the runtime granted it (x-grow: granted / refused). Always allows.
(module
  (import "bulwark" "header_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "x-grow")
  (data (i32.const 16) "granted")
  (data (i32.const 32) "refused")
  (func (export "on_request") (result i32)
    (if (i32.eq (memory.grow (i32.const 64)) (i32.const -1))
      (then (drop (call $set (i32.const 0) (i32.const 6) (i32.const 32) (i32.const 7))))
      (else (drop (call $set (i32.const 0) (i32.const 6) (i32.const 16) (i32.const 7)))))
    (i32.const 0)))
