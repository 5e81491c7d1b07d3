/**
 * NTLMv2 cryptography ([MS-NLMP] 3.3.2, 3.4.4, 3.4.5), as pure functions over bytes. MD4 comes
 * from js-md4 because OpenSSL 3 only offers it (and RC4) through the legacy provider; RC4 is
 * written out here for the same reason. NTLMv1 and LM are deliberately absent.
 */
import { createHash, createHmac } from 'node:crypto';
import md4 from 'js-md4';

export function hmacMd5(key: Uint8Array, ...data: Uint8Array[]): Buffer {
  const mac = createHmac('md5', key);
  for (const part of data) mac.update(part);
  return mac.digest();
}

function md5(...data: Uint8Array[]): Buffer {
  const hash = createHash('md5');
  for (const part of data) hash.update(part);
  return hash.digest();
}

/** NTOWFv1 = MD4(UNICODE(password)); only used as the key of NTOWFv2. */
export function ntowfv1(password: string): Buffer {
  return Buffer.from(md4.arrayBuffer(Buffer.from(password, 'utf16le')));
}

/**
 * NTOWFv2(password, user, domain) = HMAC_MD5(MD4(UNICODE(password)), UNICODE(UPPERCASE(user) || domain)).
 * The user name is upper-cased, the domain is used exactly as given. This is ResponseKeyNT (and ResponseKeyLM).
 * @see https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-nlmp/5e550938-91d4-459f-b67d-75d70009e3f3
 */
export function ntowfv2(password: string, user: string, domain: string): Buffer {
  return hmacMd5(ntowfv1(password), Buffer.from(user.toUpperCase() + domain, 'utf16le'));
}

/** Milliseconds since the Unix epoch -> Windows FILETIME (100 ns ticks since 1601-01-01), 8 bytes LE. */
export function fileTime(epochMs: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE((BigInt(Math.trunc(epochMs)) + 11644473600000n) * 10000n);
  return out;
}

/**
 * The NTLMv2 client blob ("temp" in [MS-NLMP] 3.3.2): 01 01 Z(6) Time ClientChallenge Z(4) AvPairs Z(4).
 * `avPairs` is the encoded AV_PAIR list including its MsvAvEOL.
 */
export function buildClientBlob(input: { timestamp: Uint8Array; clientChallenge: Uint8Array; avPairs: Uint8Array }): Buffer {
  return Buffer.concat([
    Buffer.from([1, 1, 0, 0, 0, 0, 0, 0]),
    Buffer.from(input.timestamp),
    Buffer.from(input.clientChallenge),
    Buffer.alloc(4),
    Buffer.from(input.avPairs),
    Buffer.alloc(4),
  ]);
}

/** NTProofStr = HMAC_MD5(ResponseKeyNT, ServerChallenge || clientBlob). */
export function ntProofStr(responseKeyNT: Uint8Array, serverChallenge: Uint8Array, clientBlob: Uint8Array): Buffer {
  return hmacMd5(responseKeyNT, serverChallenge, clientBlob);
}

export type Ntlmv2Response = {
  ntProofStr: Buffer;
  /** NtChallengeResponse = NTProofStr || clientBlob, the bytes sent in the AUTHENTICATE message. */
  ntChallengeResponse: Buffer;
  /** SessionBaseKey = HMAC_MD5(ResponseKeyNT, NTProofStr); also the KeyExchangeKey under NTLMv2. */
  sessionBaseKey: Buffer;
};

/**
 * Computes the NTLMv2 response from (ResponseKeyNT, ServerChallenge, clientBlob). A server verifies
 * an AUTHENTICATE message by recomputing this from the blob the client sent and comparing NTProofStr.
 * @see https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-nlmp/5e550938-91d4-459f-b67d-75d70009e3f3
 */
export function ntlmv2Response(responseKeyNT: Uint8Array, serverChallenge: Uint8Array, clientBlob: Uint8Array): Ntlmv2Response {
  const proof = ntProofStr(responseKeyNT, serverChallenge, clientBlob);
  return {
    ntProofStr: proof,
    ntChallengeResponse: Buffer.concat([proof, Buffer.from(clientBlob)]),
    sessionBaseKey: hmacMd5(responseKeyNT, proof),
  };
}

/** LMv2 response = HMAC_MD5(ResponseKeyLM, ServerChallenge || ClientChallenge) || ClientChallenge. */
export function lmv2Response(responseKeyLM: Uint8Array, serverChallenge: Uint8Array, clientChallenge: Uint8Array): Buffer {
  return Buffer.concat([hmacMd5(responseKeyLM, serverChallenge, clientChallenge), Buffer.from(clientChallenge)]);
}

/** RC4 keystream cipher, stateful so sealing can continue one stream across calls ([MS-NLMP] 3.4.4.2). */
export function rc4Cipher(key: Uint8Array): (data: Uint8Array) => Buffer {
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) s[i] = i;
  let j = 0;
  for (let i = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 0xff;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  let x = 0;
  let y = 0;
  return (data) => {
    const out = Buffer.alloc(data.length);
    for (let k = 0; k < data.length; k++) {
      x = (x + 1) & 0xff;
      y = (y + s[x]!) & 0xff;
      [s[x], s[y]] = [s[y]!, s[x]!];
      out[k] = data[k]! ^ s[(s[x]! + s[y]!) & 0xff]!;
    }
    return out;
  };
}

export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  return rc4Cipher(key)(data);
}

/** MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE-with-zero-MIC). */
export function computeMic(exportedSessionKey: Uint8Array, negotiate: Uint8Array, challenge: Uint8Array, authenticate: Uint8Array): Buffer {
  return hmacMd5(exportedSessionKey, negotiate, challenge, authenticate);
}

/** Client-to-server signing and sealing keys under extended session security, 128-bit ([MS-NLMP] 3.4.5.2, 3.4.5.3). */
export function clientSigningKey(exportedSessionKey: Uint8Array): Buffer {
  return md5(exportedSessionKey, Buffer.from('session key to client-to-server signing key magic constant\0', 'latin1'));
}

export function clientSealingKey(exportedSessionKey: Uint8Array): Buffer {
  return md5(exportedSessionKey, Buffer.from('session key to client-to-server sealing key magic constant\0', 'latin1'));
}

/**
 * Seals one message client-to-server with extended session security and key exchange
 * ([MS-NLMP] 3.4.3, 3.4.4.2): Data = RC4(message), then the checksum continues the same RC4 stream.
 */
export function sealMessage(
  signingKey: Uint8Array,
  sealingKey: Uint8Array,
  seqNum: number,
  message: Uint8Array,
): { data: Buffer; signature: Buffer } {
  const cipher = rc4Cipher(sealingKey);
  const data = cipher(message);
  const seq = Buffer.alloc(4);
  seq.writeUInt32LE(seqNum);
  const checksum = cipher(hmacMd5(signingKey, seq, message).subarray(0, 8));
  return { data, signature: Buffer.concat([Buffer.from([1, 0, 0, 0]), checksum, seq]) };
}
