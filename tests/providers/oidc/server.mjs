// A real OpenID Provider for the tests of issue 26: panva/oidc-provider (OpenID Certified),
// on loopback. Usage: node server.mjs PORT ACCOUNTS_FILE
// - clients are registered by the tests through dynamic registration (RFC 7591) at /reg, so
//   each test app (test client, live server, two gunicorn servers) names its own redirect URIs;
// - accounts are read from ACCOUNTS_FILE (JSON {id: {email, email_verified, name, ...}}) at
//   every sign-in, so a test can change a person's e-mail between two sign-ins;
// - devInteractions: the built-in login form (any password), consent given automatically;
// - the signing keys are keys.json beside this file, so the tests can forge tokens with them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Provider from 'oidc-provider';

const here = path.dirname(fileURLToPath(import.meta.url));
const port = Number(process.argv[2] || 4010);
const accountsFile = process.argv[3] || path.join(here, 'accounts.json');
const issuer = `http://127.0.0.1:${port}`;
const jwks = JSON.parse(fs.readFileSync(path.join(here, 'keys.json'), 'utf8'));
const PNR = 'https://id.oidc.se/claim/personalIdentityNumber';

function accounts() {
  try {
    return JSON.parse(fs.readFileSync(accountsFile, 'utf8'));
  } catch {
    return {};
  }
}

const configuration = {
  jwks,
  cookies: { keys: ['remiss-test-provider-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', PNR],
  },
  features: {
    devInteractions: { enabled: true },
    registration: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  // Consent is given by the test's organisation: no consent page.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const found = await ctx.oidc.provider.Grant.find(grantId);
      if (found) return found;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name', PNR]);
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...account };
      },
    };
  },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AccessToken: 600, IdToken: 600 },
};

const provider = new Provider(issuer, configuration);
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
