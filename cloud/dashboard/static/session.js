/* global document, window */
import { api, setSession } from './api.js';

const $ = (id) => document.getElementById(id);

/** What the signed-in role may do; the API refuses the rest anyway, this only hides the buttons. */
export function abilities(role) {
  return { operate: role === 'operator' || role === 'admin', administer: role === 'admin' };
}

function show(user) {
  document.body.dataset.role = user.role;
  $('whoami').textContent = `${user.name} (${user.role})`;
  $('signed-in').hidden = false;
  $('login').hidden = true;
  $('main').hidden = false;
}

function showLogin(message) {
  delete document.body.dataset.role;
  $('signed-in').hidden = true;
  $('main').hidden = true;
  $('login').hidden = false;
  const notice = $('notice');
  notice.textContent = message ?? '';
  notice.className = 'notice';
  notice.hidden = !message;
}

/**
 * Resolves with the signed-in user once there is a session: the one the
 * cookie already holds, or one made with the sign-in form. A session that
 * ends later brings the form back (a page reload starts clean).
 */
export function signedIn() {
  const ended = () => window.location.reload();
  return new Promise((resolve) => {
    const accept = ({ user, csrfToken }) => {
      setSession(csrfToken, ended);
      show(user);
      resolve(user);
    };
    api('/v1/session').then(accept, () => showLogin());
    $('login-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const username = $('login-user').value;
      const password = $('login-password').value;
      api('/v1/session', { username, password }).then(
        (session) => {
          $('login-password').value = '';
          $('notice').hidden = true;
          accept(session);
        },
        (error) => showLogin(`Could not sign in: ${error.message}`),
      );
    });
    $('sign-out').addEventListener('click', () => {
      api('/v1/session', undefined, 'DELETE').finally(ended);
    });
  });
}
