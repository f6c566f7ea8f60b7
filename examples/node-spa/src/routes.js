export function routeName(path) {
  return path === "/" ? "home" : path.replace(/^\//, "");
}
