/**
 * Dovetail's NTLMv2 ([MS-NLMP]), client and server side, as pure functions over bytes.
 * The transport (exchange/ews/transport.ts) runs the client side over HTTP; the lab's EWS
 * stand-in and the tests run the server side to verify what the client sends.
 *
 * Client: createNegotiateMessage() -> decodeChallenge() -> createAuthenticateMessage().
 * Server: encodeChallenge() -> verifyAuthenticate() (or decodeAuthenticate() + ntowfv2() + ntProofStr()).
 */
export { type AuthenticateMessage, decodeAuthenticate, encodeAuthenticate, MIC_OFFSET } from './authenticate-message.ts';
export { AV_FLAG_MIC_PROVIDED, type AvPair, AvId, decodeAvPairs, encodeAvPairs, findAvPair } from './av-pairs.ts';
export { channelBindingsHash, endPointHashAlgorithm, tlsChannelBindings, tlsServerEndPoint } from './channel-bindings.ts';
export { type ChallengeMessage, type DecodedChallenge, decodeChallenge, encodeChallenge } from './challenge-message.ts';
export { type AuthenticateResult, createAuthenticateMessage, createNegotiateMessage, type NtlmCredentials } from './client.ts';
export {
  buildClientBlob,
  clientSealingKey,
  clientSigningKey,
  computeMic,
  fileTime,
  hmacMd5,
  lmv2Response,
  type Ntlmv2Response,
  ntlmv2Response,
  ntowfv1,
  ntowfv2,
  ntProofStr,
  rc4,
  sealMessage,
} from './crypto.ts';
export { hasFlag, type NtlmFlagName, NtlmFlags, ntlmFlagNames } from './flags.ts';
export { CLIENT_VERSION, DEFAULT_CLIENT_FLAGS, decodeNegotiate, encodeNegotiate, type NegotiateMessage } from './negotiate-message.ts';
export { type NtlmVerification, verifyAuthenticate } from './server.ts';
export { type NtlmVersion } from './wire.ts';
