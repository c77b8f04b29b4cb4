/* global document, location, URLSearchParams */
// Points the widgets at the tenant named in the address and logs their events.
const tenant = new URLSearchParams(location.search).get('tenant') || 'sever-gaz';
for (const tag of ['gaskit-login', 'gaskit-register', 'gaskit-settings'])
  document.querySelector(tag).setAttribute('tenant', tenant);

const log = document.getElementById('events');
for (const name of ['gaskit-registered', 'gaskit-signed-in', 'gaskit-signed-out']) {
  document.addEventListener(name, (event) => (log.textContent += `${name} ${JSON.stringify(event.detail)}\n`));
}
