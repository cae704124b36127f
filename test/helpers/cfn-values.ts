/**
 * Resolves the few CloudFormation intrinsics a synthesized template uses in
 * values a test reads (Fn::Join, Ref, Fn::GetAtt), with the pseudo
 * parameters and resources given as plain strings.
 */
export function resolveCfn(value: unknown, names: Readonly<Record<string, string>> = {}): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveCfn(v, names));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const join = record['Fn::Join'];
  if (Array.isArray(join)) {
    const [separator, parts] = join as [string, unknown[]];
    return parts.map((p) => String(resolveCfn(p, names))).join(separator);
  }
  const ref = record['Ref'];
  if (typeof ref === 'string') return names[ref] ?? `<${ref}>`;
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt)) {
    const key = (getAtt as string[]).join('.');
    return names[key] ?? `<${key}>`;
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, resolveCfn(v, names)]));
}

/** The pseudo parameters of the account and region tests synthesize for. */
export const PSEUDO = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '123456789012',
} as const;

/** One statement of an IoT policy, resolved. */
export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string[];
  readonly Condition?: unknown;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/**
 * Whether an IoT Core policy allows `action` on `resource` for a
 * connection of thing `thing`: `${iot:Connection.Thing.ThingName}` is the
 * thing, `*` matches anything (IoT Core's resource wildcard). Only Allow
 * statements exist in these policies, so no Deny is evaluated.
 */
export function iotAllows(
  statements: readonly PolicyStatement[],
  thing: string,
  action: string,
  resource: string,
): boolean {
  return statements.some((s) => {
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    if (s.Effect !== 'Allow' || !actions.includes(action)) return false;
    return s.Resource.some((r) =>
      globToRegExp(r.replaceAll('${iot:Connection.Thing.ThingName}', thing)).test(resource),
    );
  });
}
