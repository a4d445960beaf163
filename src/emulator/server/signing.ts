// Pre-signed URLs in the style of S3 SigV4 query signing: X-Amz-Date, X-Amz-Expires and an HMAC
// X-Amz-Signature over the path and those two values. No Authorization header is needed to use
// one; a tampered or expired one is refused with S3's XML error.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = 'ok' | 'expired' | 'invalid';

function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function parseAmzDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
}

export class UrlSigner {
  private readonly secret: string;
  private readonly ttlSeconds: number;

  constructor(secret: string, ttlSeconds: number) {
    this.secret = secret;
    this.ttlSeconds = ttlSeconds;
  }

  private mac(path: string, date: string, expires: string): string {
    return createHmac('sha256', this.secret).update(`${path}\n${date}\n${expires}`).digest('hex');
  }

  sign(baseUrl: string, path: string, now = Date.now()): string {
    const date = amzDate(now);
    const expires = String(this.ttlSeconds);
    const q = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Date': date,
      'X-Amz-Expires': expires,
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Signature': this.mac(path, date, expires),
    });
    return `${baseUrl}${path}?${q}`;
  }

  /** X-Amz-Date has whole seconds, so a URL lives between ttl and ttl+1 seconds. */
  verify(url: URL, now = Date.now()): SignatureCheck {
    const date = url.searchParams.get('X-Amz-Date') ?? '';
    const expires = url.searchParams.get('X-Amz-Expires') ?? '';
    const sig = Buffer.from(url.searchParams.get('X-Amz-Signature') ?? '', 'hex');
    const want = Buffer.from(this.mac(url.pathname, date, expires), 'hex');
    if (sig.length !== want.length || !timingSafeEqual(sig, want)) return 'invalid';
    const issued = parseAmzDate(date);
    if (!Number.isFinite(issued) || Math.floor(now / 1000) > issued / 1000 + Number(expires))
      return 'expired';
    return 'ok';
  }
}

export function s3Error(
  code: 'AccessDenied' | 'SignatureDoesNotMatch' | 'NoSuchKey',
  message: string,
): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>EMULATOR</RequestId></Error>`;
}
