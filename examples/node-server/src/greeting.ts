export function greeting(name: string): string {
  return `hello from ${name}\n`;
}
