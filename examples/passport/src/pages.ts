/** The demo's three pages, as plain HTML strings (no template engine). */

const html = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

export function page(title: string, body: string, user?: { displayName: string }): string {
  const signOut = user
    ? `<form method="post" action="/logout"><button id="sign-out">Sign out</button></form>`
    : '';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${html(title)} · Passport on MikroORM</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
label{display:block;margin:.5rem 0}input{font:inherit}.error{color:#b00020}</style></head>
<body><h1>${html(title)}</h1>
${body}
<nav><a href="/">Home</a> · <a href="/private">Private page</a></nav>
${signOut}
</body></html>`;
}

export function homePage(user: { displayName: string }): string {
  return page('Signed in', `<p id="who">Signed in as ${html(user.displayName)}.</p>`, user);
}

export function signInPage(failed: boolean): string {
  return page(
    'Sign in',
    `${failed ? '<p class="error" id="error">Wrong username or password.</p>' : ''}
<form method="post" action="/login">
<label>Username <input name="username" autocomplete="username" value="ada"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<button id="sign-in">Sign in</button>
</form>
<p>The demo account is <code>ada</code> / <code>analytical-engine</code>.</p>`,
  );
}

export function privatePage(
  user: { displayName: string; username: string },
  visits: number,
): string {
  return page(
    'Private page',
    `<p id="who">Only for signed-in users: hello, ${html(user.displayName)} (${html(user.username)}).</p>
<p>You opened this page <span id="visits">${visits}</span> time${visits === 1 ? '' : 's'} in this
session. The session lives in the database: restart the server and the count goes on.</p>`,
    user,
  );
}
