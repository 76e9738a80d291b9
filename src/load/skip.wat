;; The scanner's hot loop (json-scan.ts skipNested) in WebAssembly, 32 bytes at a time with SIMD:
;; skips the inside of a JSON value nested `depth` deep, following only strings and nesting, to just
;; past the byte that closes it, or to the chunk's end. Compiled by scripts/gen-wasm.mjs into
;; src/gen/skip-wasm.ts; json-scan.ts falls back to its JavaScript loop where WebAssembly is missing.
;;
;; A 32-byte block without a backslash (and not right after one) is read at once: a mask of its quotes,
;; its prefix XOR (which bytes are inside a string), and masks of its openers ({ and [, which differ
;; from } and ] only in bit 0x20) and closers outside strings. The block cannot close the value when it
;; holds fewer closers than the depth, and then only counts are kept; otherwise its brackets are
;; followed in order. A block with a backslash, and the chunk's last bytes, are read byte by byte with
;; the same rules as json-scan.ts's loop: exact either way.
(module
  (import "env" "memory" (memory 1))
  ;; The state at the chunk's end: how deep, inside a string or not, and right after a backslash in one.
  (global $depth (export "depth") (mut i32) (i32.const 0))
  (global $open (export "open") (mut i32) (i32.const 0))
  (global $escape (export "escape") (mut i32) (i32.const 0))

  ;; Bytes [i, end) one at a time, from the state in the globals. The index just past the byte that
  ;; brings the depth to 0 (the globals then 0), or -1 at `end` (the globals then the state there).
  (func $bytes (param $i i32) (param $end i32) (result i32)
    (local $c i32) (local $d i32) (local $s i32) (local $e i32)
    (local.set $d (global.get $depth))
    (local.set $s (global.get $open))
    (local.set $e (global.get $escape))
    (block $out
      (loop $next
        (br_if $out (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $c (i32.load8_u (local.get $i)))
        (if (local.get $s)
          (then
            (if (local.get $e)
              (then (local.set $e (i32.const 0)))
              (else
                (if (i32.eq (local.get $c) (i32.const 0x5c))
                  (then (local.set $e (i32.const 1)))
                  (else
                    (if (i32.eq (local.get $c) (i32.const 0x22))
                      (then (local.set $s (i32.const 0)))))))))
          (else
            (if (i32.eq (local.get $c) (i32.const 0x22))
              (then (local.set $s (i32.const 1)))
              (else
                (local.set $c (i32.or (local.get $c) (i32.const 0x20)))
                (if (i32.eq (local.get $c) (i32.const 0x7b))
                  (then (local.set $d (i32.add (local.get $d) (i32.const 1))))
                  (else
                    (if (i32.eq (local.get $c) (i32.const 0x7d))
                      (then
                        (local.set $d (i32.sub (local.get $d) (i32.const 1)))
                        (if (i32.eqz (local.get $d))
                          (then
                            (global.set $depth (i32.const 0))
                            (global.set $open (i32.const 0))
                            (global.set $escape (i32.const 0))
                            (return (i32.add (local.get $i) (i32.const 1)))))))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (global.set $depth (local.get $d))
    (global.set $open (local.get $s))
    (global.set $escape (local.get $e))
    (i32.const -1))

  ;; From i (outside any string), `depth` deep, to n: the index just past the byte that closes the value
  ;; (the depth global then 0), else n with the globals holding the state there.
  (func (export "skip") (param $i i32) (param $n i32) (param $d i32) (result i32)
    (local $lo v128) (local $hi v128) (local $q i32) (local $o i32) (local $c i32) (local $x i32)
    (local $m i32) (local $bit i32) (local $r i32) (local $s i32) (local $e i32)
    (block $tail
      (loop $block
        (br_if $tail (i32.gt_u (i32.add (local.get $i) (i32.const 32)) (local.get $n)))
        (local.set $lo (v128.load (local.get $i)))
        (local.set $hi (v128.load offset=16 (local.get $i)))
        (if (i32.or (local.get $e)
              (v128.any_true (v128.or
                (i8x16.eq (local.get $lo) (v128.const i8x16 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c))
                (i8x16.eq (local.get $hi) (v128.const i8x16 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c)))))
          (then
            ;; A backslash: this block byte by byte.
            (global.set $depth (local.get $d))
            (global.set $open (local.get $s))
            (global.set $escape (local.get $e))
            (local.set $r (call $bytes (local.get $i) (i32.add (local.get $i) (i32.const 32))))
            (if (i32.ge_s (local.get $r) (i32.const 0)) (then (return (local.get $r))))
            (local.set $d (global.get $depth))
            (local.set $s (global.get $open))
            (local.set $e (global.get $escape))
            (local.set $i (i32.add (local.get $i) (i32.const 32)))
            (br $block)))
        (local.set $q (i32.or
          (i8x16.bitmask (i8x16.eq (local.get $lo) (v128.const i8x16 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22)))
          (i32.shl (i8x16.bitmask (i8x16.eq (local.get $hi) (v128.const i8x16 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22))) (i32.const 16))))
        (local.set $lo (v128.or (local.get $lo) (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20)))
        (local.set $hi (v128.or (local.get $hi) (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20)))
        (local.set $o (i32.or
          (i8x16.bitmask (i8x16.eq (local.get $lo) (v128.const i8x16 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b)))
          (i32.shl (i8x16.bitmask (i8x16.eq (local.get $hi) (v128.const i8x16 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b 0x7b))) (i32.const 16))))
        (local.set $c (i32.or
          (i8x16.bitmask (i8x16.eq (local.get $lo) (v128.const i8x16 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d)))
          (i32.shl (i8x16.bitmask (i8x16.eq (local.get $hi) (v128.const i8x16 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d 0x7d))) (i32.const 16))))
        ;; Inside a string: an odd number of quotes up to the byte (the prefix XOR), or an even number
        ;; when the block starts inside one.
        (local.set $x (local.get $q))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 1))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 2))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 4))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 8))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 16))))
        (if (local.get $s) (then (local.set $x (i32.xor (local.get $x) (i32.const -1)))))
        (local.set $o (i32.and (local.get $o) (i32.xor (local.get $x) (i32.const -1))))
        (local.set $c (i32.and (local.get $c) (i32.xor (local.get $x) (i32.const -1))))
        (local.set $s (i32.and (i32.xor (local.get $s) (i32.popcnt (local.get $q))) (i32.const 1)))
        (if (i32.lt_u (i32.popcnt (local.get $c)) (local.get $d))
          (then
            (local.set $d (i32.sub (i32.add (local.get $d) (i32.popcnt (local.get $o))) (i32.popcnt (local.get $c)))))
          (else
            ;; Enough closers to close it: the brackets in order.
            (local.set $m (i32.or (local.get $o) (local.get $c)))
            (block $bits
              (loop $each
                (br_if $bits (i32.eqz (local.get $m)))
                (local.set $bit (i32.ctz (local.get $m)))
                (if (i32.and (i32.shr_u (local.get $c) (local.get $bit)) (i32.const 1))
                  (then
                    (local.set $d (i32.sub (local.get $d) (i32.const 1)))
                    (if (i32.eqz (local.get $d))
                      (then
                        (global.set $depth (i32.const 0))
                        (global.set $open (i32.const 0))
                        (global.set $escape (i32.const 0))
                        (return (i32.add (i32.add (local.get $i) (local.get $bit)) (i32.const 1))))))
                  (else (local.set $d (i32.add (local.get $d) (i32.const 1)))))
                (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
                (br $each)))))
        (local.set $i (i32.add (local.get $i) (i32.const 32)))
        (br $block)))
    ;; The chunk's last bytes.
    (global.set $depth (local.get $d))
    (global.set $open (local.get $s))
    (global.set $escape (local.get $e))
    (local.set $r (call $bytes (local.get $i) (local.get $n)))
    (if (result i32) (i32.ge_s (local.get $r) (i32.const 0)) (then (local.get $r)) (else (local.get $n)))))
