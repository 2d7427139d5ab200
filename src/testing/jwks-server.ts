/**
 * Test-only identity provider: an RS256 and an ES256 key pair, their public halves served as a
 * JWKS on 127.0.0.1, and helpers to sign tokens with the private halves. Close it in after().
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTHeaderParameters, type JWTPayload } from 'jose';

export type ProviderAlg = 'RS256' | 'ES256';

export interface JwksServer {
  /** http://127.0.0.1:<port>/jwks.json */
  url: string;
  /** The kid each key is published under. */
  kids: Record<ProviderAlg, string>;
  /** Signs claims with the provider's private key; header fields (kid, alg…) may be overridden. */
  sign(alg: ProviderAlg, claims: JWTPayload, header?: Partial<JWTHeaderParameters>): Promise<string>;
  /** The RSA public key as PEM (SPKI), DER bytes and JWK: what an attacker can read, for confusion tests. */
  rsaPublic: { pem: string; der: Uint8Array; jwk: JWK };
  /** How many times the JWKS was fetched: shows jose's caching. */
  requests(): number;
  close(): Promise<void>;
}

export async function startJwksServer(): Promise<JwksServer> {
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  const kids: Record<ProviderAlg, string> = { RS256: 'test-rsa-1', ES256: 'test-ec-1' };
  const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: kids.RS256, alg: 'RS256', use: 'sig' };
  const ecJwk = { ...(await exportJWK(ec.publicKey)), kid: kids.ES256, alg: 'ES256', use: 'sig' };
  const body = JSON.stringify({ keys: [rsaJwk, ecJwk] });
  const pem = await exportSPKI(rsa.publicKey);
  const der = new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64'));

  let count = 0;
  const server = createServer((request, response) => {
    if (request.url !== '/jwks.json') return response.writeHead(404).end();
    count += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    kids,
    sign: (alg, claims, header = {}) =>
      new SignJWT(claims).setProtectedHeader({ alg, kid: kids[alg], typ: 'JWT', ...header }).sign(alg === 'RS256' ? rsa.privateKey : ec.privateKey),
    rsaPublic: { pem, der, jwk: rsaJwk },
    requests: () => count,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
