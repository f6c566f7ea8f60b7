// A tiny client-side router: every path is served index.html by nginx, and the script shows which route it is.
import { routeName } from "./routes.js";

document.getElementById("route").textContent = `route: ${routeName(window.location.pathname)}`;
