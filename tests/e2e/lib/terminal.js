// Driving the web terminal (xterm.js) like a user: type a line, read the
// visible rows. Shared by the browser tests that open a session terminal.

// The terminal's visible rows, as text (xterm's DOM renderer uses NBSP).
export async function screenRows(page) {
  return page.locator('.xterm-rows > div').evaluateAll((rows) => rows.map((r) => r.textContent.replace(/\u00a0/g, ' ').trimEnd()));
}

// Types `line` into the terminal and presses Enter.
export async function typeLine(page, line) {
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(line, { delay: 5 });
  await page.keyboard.press('Enter');
}
