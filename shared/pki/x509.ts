// @peculiar/x509 reads decorator metadata when its ASN.1 schemas load, so the
// polyfill must be evaluated first; every PKI file imports x509 from here.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';

export * as x509 from '@peculiar/x509';

/** The WebCrypto implementation handed to @peculiar/x509 explicitly, so no global provider is needed. */
export const crypto = webcrypto;
export type CryptoKey = webcrypto.CryptoKey;

/** ECDSA on P-256 with SHA-256: supported by IoT Core, OpenSSL, s2n and every MQTT client we use. */
export const SIGNING_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
