;; Gateway WASM filter test module: requests without an x-user header are denied with 403;
;; others are sent upstream with x-filtered: <x-user value> and without x-remove-me.
(module
  (import "bulwark" "header_get" (func $get (param i32 i32 i32 i32) (result i32)))
  (import "bulwark" "header_set" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "bulwark" "header_remove" (func $remove (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "x-user")        ;; 6 bytes at 0
  (data (i32.const 16) "x-filtered")   ;; 10 bytes at 16
  (data (i32.const 32) "x-remove-me")  ;; 11 bytes at 32
  (func (export "on_request") (result i32)
    (local $len i32)
    ;; value of x-user into 1024.., capacity 512
    (local.set $len (call $get (i32.const 0) (i32.const 6) (i32.const 1024) (i32.const 512)))
    (if (i32.lt_s (local.get $len) (i32.const 0)) (then (return (i32.const 403))))
    (if (i32.gt_s (local.get $len) (i32.const 512)) (then (return (i32.const 431))))
    (drop (call $set (i32.const 16) (i32.const 10) (i32.const 1024) (local.get $len)))
    (drop (call $remove (i32.const 32) (i32.const 11)))
    (i32.const 0)))
