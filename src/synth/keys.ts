/**
 * Keys for synthetic blocks, and signing, fast enough for a gigagas block.
 *
 * A block of 48,000 transfers needs 48,000 key pairs and 48,000 signatures. Done the
 * ordinary way (a scalar multiplication for each public key, RFC 6979 signing through
 * ethereumjs) that is ~1 ms per transaction on a small machine, most of the generation
 * time. Both costs come from multiplying the base point G by a fresh scalar. So here the
 * scalars are consecutive: private keys are base + i and signature nonces are base' + j,
 * both bases derived from the seed. Then each public key (and each nonce point R) is the
 * previous one plus G: one affine point addition, a few microseconds.
 *
 * These signatures are valid ECDSA (low s, recoverable, checked by every replay when it
 * recovers the senders) and deterministic. They are not safe: related nonces reveal the
 * private keys, which are public anyway since anyone can derive them from the seed. Never
 * use a synthetic key for anything real.
 */
import { keccak_256 as keccak256 } from '@noble/hashes/sha3.js';
import { bigIntToBytes, bytesToBigInt, bytesToHex, setLengthLeft, utf8ToBytes } from '@ethereumjs/util';

/** The secp256k1 field prime, group order and base point. */
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N >> 1n;
const GX = 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n;
const GY = 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n;

interface Affine {
  x: bigint;
  y: bigint;
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** a⁻¹ mod m (m prime, a ≠ 0 mod m), by the extended Euclidean algorithm. */
function invert(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

/** Q + G in affine coordinates (Q ≠ ±G). */
function addG(q: Affine): Affine {
  const lambda = mod((GY - q.y) * invert(GX - q.x, P), P);
  const x = mod(lambda * lambda - q.x - GX, P);
  return { x, y: mod(lambda * (q.x - x) - q.y, P) };
}

/** d·G, the slow way: double-and-add (used once per sequence). */
function multiplyG(d: bigint): Affine {
  let result: Affine | undefined;
  let addend: Affine = { x: GX, y: GY };
  for (let k = d; k > 0n; k >>= 1n) {
    if ((k & 1n) === 1n) result = result === undefined ? addend : add(result, addend);
    addend = double(addend);
  }
  if (result === undefined) throw new Error('multiplyG(0)');
  return result;
}

function add(a: Affine, b: Affine): Affine {
  if (a.x === b.x) {
    if (a.y === b.y) return double(a);
    throw new Error('point at infinity');
  }
  const lambda = mod((b.y - a.y) * invert(b.x - a.x, P), P);
  const x = mod(lambda * lambda - a.x - b.x, P);
  return { x, y: mod(lambda * (a.x - x) - a.y, P) };
}

function double(a: Affine): Affine {
  const lambda = mod(3n * a.x * a.x * invert(2n * a.y, P), P);
  const x = mod(lambda * lambda - 2n * a.x, P);
  return { x, y: mod(lambda * (a.x - x) - a.y, P) };
}

/** A scalar in [1, N − 2^40) from a label and the seed, so base + i never wraps for any realistic i. */
function scalarFrom(label: string, seed: number): bigint {
  const digest = keccak256(utf8ToBytes(`stm synth ${label} ${seed}`));
  return (bytesToBigInt(digest) % (N - (1n << 40n) - 1n)) + 1n;
}

/** One externally owned account of a synthetic block. */
export interface SynthAccount {
  privateKey: bigint;
  /** 64 bytes: x and y, as ethereumjs's getSenderPublicKey returns them. */
  publicKey: Uint8Array;
  /** Lower-case 0x address. */
  address: string;
}

/** Accounts with private keys base + 0, base + 1, …: derived from the seed, each from the previous. */
export class KeySequence {
  private readonly base: bigint;
  private point: Affine | undefined;
  readonly accounts: SynthAccount[] = [];

  constructor(seed: number) {
    this.base = scalarFrom('keys', seed);
  }

  /** Account i (derives every account up to i on first use). */
  account(i: number): SynthAccount {
    while (this.accounts.length <= i) {
      this.point = this.point === undefined ? multiplyG(this.base) : addG(this.point);
      const publicKey = new Uint8Array(64);
      publicKey.set(setLengthLeft(bigIntToBytes(this.point.x), 32), 0);
      publicKey.set(setLengthLeft(bigIntToBytes(this.point.y), 32), 32);
      const address = bytesToHex(keccak256(publicKey).subarray(12));
      this.accounts.push({ privateKey: this.base + BigInt(this.accounts.length), publicKey, address });
    }
    return this.accounts[i]!;
  }
}

/** An ECDSA signature as a typed transaction carries it. */
export interface RecoverableSignature {
  r: bigint;
  s: bigint;
  /** 0 or 1. */
  yParity: bigint;
}

/** Signs message hashes with nonces base' + 0, base' + 1, … (see the module comment). */
export class SequentialSigner {
  private nonce: bigint;
  private point: Affine | undefined;

  constructor(seed: number) {
    this.nonce = scalarFrom('nonces', seed);
  }

  sign(hash: Uint8Array, privateKey: bigint): RecoverableSignature {
    for (;;) {
      this.point = this.point === undefined ? multiplyG(this.nonce) : addG(this.point);
      const k = this.nonce;
      this.nonce += 1n;
      const R = this.point;
      // R.x ≥ N would need the recovery id's second bit (probability ~2^-128): skip that nonce.
      if (R.x >= N || R.x === 0n) continue;
      const r = R.x;
      let s = mod(invert(k, N) * (bytesToBigInt(hash) + r * privateKey), N);
      if (s === 0n) continue;
      let yParity = R.y & 1n;
      if (s > HALF_N) {
        s = N - s;
        yParity ^= 1n;
      }
      return { r, s, yParity };
    }
  }
}
