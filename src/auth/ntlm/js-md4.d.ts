// js-md4 ships no type declarations; this is the one function Dovetail uses.
declare module 'js-md4' {
  const md4: { arrayBuffer(message: Uint8Array | ArrayBuffer | string): ArrayBuffer };
  export default md4;
}
