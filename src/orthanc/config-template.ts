/**
 * Renders orthanc/orthanc.template.json into a concrete Orthanc configuration (placeholder scheme: orthanc/README.md).
 * Orthanc itself substitutes ${VAR} from its environment and turns unset ones into "", so every placeholder must be
 * resolved here: an unknown one throws.
 */
export type TemplateValue = string | number | boolean | string[];
/** Every placeholder the template may use must be a key here; `undefined` means "not supplied". */
export type TemplateValues = Record<string, TemplateValue | undefined>;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const WHOLE_PLACEHOLDER = /^\$\{([A-Z0-9_]+)\}$/;
const ANY_PLACEHOLDER = /\$\{([A-Z0-9_]+)\}/g;
/** Marks a value that referenced an unsupplied placeholder: its enclosing member is dropped. */
const OMIT: unique symbol = Symbol('omit');
type Rendered = Json | typeof OMIT;

/**
 * Renders the Orthanc template. The template is valid JSON; a string that is exactly "${NAME}" is replaced by
 * the typed value (number, boolean, string or array), and ${NAME} inside a longer string is interpolated.
 * An object member or array element that references a placeholder whose value is `undefined` is dropped
 * (that is how the "gastric-ai" modality disappears when no node is given). An unknown placeholder throws.
 */
export function renderTemplate(templateText: string, values: TemplateValues): string {
  const tree = JSON.parse(templateText) as Json;
  const rendered = renderNode(tree, values);
  return JSON.stringify(rendered === OMIT ? {} : rendered, null, 2) + '\n';
}

function renderNode(node: Json, values: TemplateValues): Rendered {
  if (typeof node === 'string') return renderString(node, values);
  if (Array.isArray(node)) return renderArray(node, values);
  if (node !== null && typeof node === 'object') return renderObject(node, values);
  return node;
}

function renderArray(items: Json[], values: TemplateValues): Rendered {
  const out: Json[] = [];
  for (const item of items) {
    const rendered = renderNode(item, values);
    if (rendered === OMIT) return OMIT; // an array with a missing element (e.g. a modality) is dropped whole
    out.push(rendered);
  }
  return out;
}

function renderObject(members: { [key: string]: Json }, values: TemplateValues): Rendered {
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(members)) {
    const rendered = renderNode(value, values);
    if (rendered !== OMIT) out[key] = rendered;
  }
  return out;
}

function renderString(text: string, values: TemplateValues): Rendered {
  const whole = WHOLE_PLACEHOLDER.exec(text);
  if (whole) {
    const value = lookup(whole[1], values);
    return value === undefined ? OMIT : (value as Json);
  }
  let missing = false;
  const interpolated = text.replace(ANY_PLACEHOLDER, (_match: string, name: string) => {
    const value = lookup(name, values);
    if (value === undefined) missing = true;
    return value === undefined ? '' : String(value);
  });
  return missing ? OMIT : interpolated;
}

function lookup(name: string, values: TemplateValues): TemplateValue | undefined {
  if (!Object.prototype.hasOwnProperty.call(values, name)) {
    throw new Error(`orthanc template: unknown placeholder \${${name}}`);
  }
  return values[name];
}
