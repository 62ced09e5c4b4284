/*
 * Loaded before decap-cms.js: Decap CMS starts itself at the end of its own bundle,
 * and then loads config.yml while the scripts after it (bestand.js, nl.js, beheer.js)
 * may not have run yet; a locale or format registered after that start is not used
 * (the screen stays partly English). So Decap waits, and beheer.js, the last script,
 * starts it once everything is registered.
 */
window.CMS_MANUAL_INIT = true;
