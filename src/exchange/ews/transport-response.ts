/** A response whose body has not been read yet, with its raw headers (WWW-Authenticate may repeat). */
export type RawResponse = {
  status: number;
  rawHeaders: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array> & { destroy(error?: Error): unknown };
};

/** Sends the request being served on one connection, with extra headers and a body. */
export type Dispatch = (extraHeaders: Record<string, string>, body: string) => Promise<RawResponse>;

/** Reads and drops a body we do not need (401 pages), so the connection can carry the next request. */
export async function drain(response: RawResponse): Promise<void> {
  let seen = 0;
  for await (const chunk of response.body) {
    seen += chunk.byteLength;
    if (seen > 1 << 20) {
      response.body.destroy();
      return;
    }
  }
}

