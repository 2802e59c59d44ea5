/** Names adapters derive from a framework's model keys and field names. */

/** `emailVerified` → `email_verified`, `HTTPServer` → `http_server`: MikroORM's default column naming. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** `user` → `User`, `two_factor` / `two-factor` → `TwoFactor`: an entity class name for a model key. */
export function pascalCase(key: string): string {
  return key.replace(/(^|[_-])([a-z0-9])/g, (_, __, char: string) => char.toUpperCase());
}

/**
 * The name a store resolves for a framework model: the model's key when the adapter options map it
 * to an entity (the store is created with that mapping), else the framework's default name for it.
 */
export function modelName(
  key: string,
  mapping: Readonly<Partial<Record<string, unknown>>> | undefined,
  fallback: string,
): string {
  return mapping && Object.hasOwn(mapping, key) && mapping[key] !== undefined ? key : fallback;
}
