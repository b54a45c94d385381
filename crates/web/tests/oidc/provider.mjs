// A real OpenID provider (oidc-provider) for Trellis's tests. It signs in whoever the test
// names, without a login page, and can tamper with the ID token it issues.
//
//   REDIRECT_URI=http://trellis.test/signin/sso/callback node provider.mjs
//
// With CLAIMS_IN_ID_TOKEN=1 the e-mail and name are in the ID token (as Google and Entra
// ID send them); otherwise only in the user info, as oidc-provider does by default.
//
// prints `listening <port>` once it serves. Test controls (this instance only):
//   POST /test/login?sub=S&email=E&email_verified=true|false&name=N   who signs in next
//       (leave email_verified out to send no such claim)
//   POST /test/tamper?mode=signature|nonce|issuer|audience|none        forge the next ID tokens
import http from 'node:http';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const redirectUri = process.env.REDIRECT_URI;
if (!redirectUri) throw new Error('set REDIRECT_URI');

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
const issuer = `http://localhost:${port}`;

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await jose.exportJWK(privateKey)), kid: 'signing', alg: 'RS256', use: 'sig' };
const { privateKey: forgerKey } = await jose.generateKeyPair('RS256');

const accounts = new Map();
let next = null;
let tamper = 'none';

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'trellis',
    client_secret: 'trellis-test-secret',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  cookies: { keys: ['trellis-test-cookie-key'] },
  conformIdTokenClaims: process.env.CLAIMS_IN_ID_TOKEN !== '1',
  async findAccount(_ctx, sub) {
    const claims = accounts.get(sub);
    if (!claims) return undefined;
    return { accountId: sub, async claims() { return { sub, ...claims }; } };
  },
});

provider.use(async (ctx, nextMiddleware) => {
  const url = new URL(ctx.url, issuer);
  if (ctx.method === 'POST' && url.pathname === '/test/login') {
    const sub = url.searchParams.get('sub');
    const claims = { email: url.searchParams.get('email'), name: url.searchParams.get('name') ?? sub };
    const verified = url.searchParams.get('email_verified');
    if (verified !== null) claims.email_verified = verified === 'true';
    accounts.set(sub, claims);
    next = sub;
    ctx.body = 'ok';
    return;
  }
  if (ctx.method === 'POST' && url.pathname === '/test/tamper') {
    tamper = url.searchParams.get('mode') ?? 'none';
    ctx.body = 'ok';
    return;
  }
  if (url.pathname.startsWith('/interaction/')) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result;
    if (details.prompt.name === 'login') {
      if (!next) { ctx.status = 400; ctx.body = 'no test account named: POST /test/login first'; return; }
      result = { login: { accountId: next } };
    } else {
      const grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      result = { consent: { grantId: await grant.save() } };
    }
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
    ctx.status = 303;
    ctx.redirect(to);
    return;
  }
  await nextMiddleware();
  if (url.pathname === '/token' && ctx.body?.id_token && tamper !== 'none') {
    const claims = jose.decodeJwt(ctx.body.id_token);
    let key = privateKey;
    if (tamper === 'signature') key = forgerKey;
    if (tamper === 'nonce') claims.nonce = 'not-the-nonce-trellis-sent';
    if (tamper === 'issuer') claims.iss = 'https://impostor.example';
    if (tamper === 'audience') claims.aud = 'another-application';
    ctx.body = {
      ...ctx.body,
      id_token: await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'signing' }).sign(key),
    };
  }
});

server.on('request', provider.callback());
console.log(`listening ${port}`);
