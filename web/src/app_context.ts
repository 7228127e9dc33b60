// AppContext: what the app shell (main.ts) hands to every page it renders:
// the signed-in user and a way to move to another page. Pages import this
// module, never main.ts, so the page modules and the entry point do not
// import each other.

import type { Me } from './api';
import type { Route } from './lib/route';

export interface AppContext {
  me: Me;
  navigate(r: Route): void;
}
