export const id = 565;
export const ids = [565];
export const modules = {

/***/ 8565:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   YamlError: () => (/* binding */ YamlError),
/* harmony export */   readYaml: () => (/* binding */ readYaml)
/* harmony export */ });
/* unused harmony exports YAML_LIMITS, yamlEvents, readYamlAll, readYamlDocuments, readYamlDocument, yamlValue */
/* harmony import */ var js_yaml__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3243);
/* harmony import */ var yaml__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8815);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(7817);
// One bounded YAML reader for every YAML the project reads: workflow files, Kubernetes manifests and
// kubeconfigs, values and exception files, ignore files, the CLI's config. A file comes from a
// repository (or a PR), so it may be hostile: a billion-laughs document (aliases of aliases) is a few
// hundred bytes and expands to billions of nodes in whatever walks the result, and 10,000 levels of
// nesting overflow a recursive parser's stack. Both end here, fast, in one line naming the file.
//
// The bounds are checked on js-yaml's flat event stream (no recursion, no expansion): the size of the
// text, the nesting depth (the parser stops at the limit), and the nodes the aliases would add if
// expanded, counted per anchor as the events go by. An alias to a collection that is still open (a
// recursive alias) is refused too: it makes a cyclic value that JSON and every walker loop on. Readers
// that need the `yaml` package's source ranges (workflow lines, manifest lines) parse with it after the
// same check (`readYamlDocuments`).



const YAML_LIMITS = {
    /** Largest YAML text read (bytes of UTF-16, i.e. characters). */
    maxChars: 16 * 1024 * 1024,
    /** Deepest nesting of collections; real manifests and workflows stay far below it. */
    maxDepth: 128,
    /** Nodes that expanding every alias of one document may add. */
    maxAliasNodes: 1_000_000,
};
/** A YAML text that cannot be read: `syntax` (not YAML) or `limit` (a bound above). */
class YamlError extends _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo {
    file;
    kind;
    reason;
    line;
    name = 'YamlError';
    constructor(file, kind, reason, 
    /** 1-based line, when known. */
    line) {
        super(kind === 'syntax' ? `${file}${line ? `:${line}` : ''} is not valid YAML: ${reason}` : `${file} ${reason}`);
        this.file = file;
        this.kind = kind;
        this.reason = reason;
        this.line = line;
    }
}
const fmt = (n) => n.toLocaleString('en-US');
function syntaxError(e, file) {
    if (/maxDepth/.test(e.reason))
        return new YamlError(file, 'limit', `nests collections deeper than ${YAML_LIMITS.maxDepth} levels; it is not read`);
    return new YamlError(file, 'syntax', e.reason, e.mark ? e.mark.line + 1 : undefined);
}
/**
 * The events of `text`, after checking its size, depth and alias expansion. Throws YamlError naming
 * `file`: kind `syntax` when it is not YAML, `limit` when it breaks a bound.
 */
function yamlEvents(text, file, maxChars = YAML_LIMITS.maxChars) {
    if (text.length > maxChars)
        throw new YamlError(file, 'limit', `is larger than ${Math.round(maxChars / 1024 / 1024)} MiB; it is not read`);
    let events;
    try {
        events = (0,js_yaml__WEBPACK_IMPORTED_MODULE_0__/* .parseEvents */ .PH)(text, { maxDepth: YAML_LIMITS.maxDepth, filename: file });
    }
    catch (e) {
        if (e instanceof js_yaml__WEBPACK_IMPORTED_MODULE_0__/* .YAMLException */ .tB)
            throw syntaxError(e, file);
        // The parser is iterative and bounded; anything else (a stack overflow in a future release) is the file's shape, not our bug.
        throw new YamlError(file, 'limit', `could not be read (${e.message})`);
    }
    checkAliases(events, text, file);
    return events;
}
/** Counts, per document, the nodes aliases would add; refuses a recursive alias. Linear in the events. */
function checkAliases(events, text, file) {
    const sizes = new Map(); // anchor → expanded size of its node
    const open = [];
    let added = 0;
    const name = (start, end) => (start >= 0 ? text.slice(start, end) : undefined);
    const grow = (n) => {
        const top = open[open.length - 1];
        if (top)
            top.size += n;
    };
    for (const ev of events) {
        switch (ev.type) {
            case js_yaml__WEBPACK_IMPORTED_MODULE_0__/* .EVENT_ID */ .hy.DOCUMENT:
                sizes.clear();
                added = 0;
                open.push({ size: 0 });
                break;
            case js_yaml__WEBPACK_IMPORTED_MODULE_0__/* .EVENT_ID */ .hy.MAPPING:
            case js_yaml__WEBPACK_IMPORTED_MODULE_0__/* .EVENT_ID */ .hy.SEQUENCE:
                open.push({ size: 1, anchor: name(ev.anchorStart, ev.anchorEnd) });
                break;
            case js_yaml__WEBPACK_IMPORTED_MODULE_0__/* .EVENT_ID */ .hy.SCALAR: {
                const a = name(ev.anchorStart, ev.anchorEnd);
                if (a !== undefined)
                    sizes.set(a, 1);
                grow(1);
                break;
            }
            case js_yaml__WEBPACK_IMPORTED_MODULE_0__/* .EVENT_ID */ .hy.ALIAS: {
                const a = text.slice(ev.anchorStart, ev.anchorEnd);
                if (open.some((f) => f.anchor === a))
                    throw new YamlError(file, 'limit', `has a recursive alias (*${a} inside the node &${a} names); it is not read`);
                const n = sizes.get(a) ?? 1;
                added += n;
                if (added > YAML_LIMITS.maxAliasNodes) {
                    throw new YamlError(file, 'limit', `expands through its aliases to more than ${fmt(YAML_LIMITS.maxAliasNodes)} extra nodes (a YAML bomb?); it is not read`);
                }
                grow(n);
                break;
            }
            case js_yaml__WEBPACK_IMPORTED_MODULE_0__/* .EVENT_ID */ .hy.POP: {
                const f = open.pop();
                if (f?.anchor !== undefined)
                    sizes.set(f.anchor, f.size);
                if (f)
                    grow(f.size);
                break;
            }
        }
    }
}
function construct(text, events, opts) {
    try {
        return (0,js_yaml__WEBPACK_IMPORTED_MODULE_0__/* .constructFromEvents */ .fw)(events, { source: text, schema: opts.schema ?? js_yaml__WEBPACK_IMPORTED_MODULE_0__/* .CORE_SCHEMA */ .OU, json: opts.json, filename: opts.file });
    }
    catch (e) {
        if (e instanceof js_yaml__WEBPACK_IMPORTED_MODULE_0__/* .YAMLException */ .tB)
            throw syntaxError(e, opts.file);
        throw e;
    }
}
/** Every document of a YAML stream, as plain values. */
function readYamlAll(text, opts) {
    return construct(text, yamlEvents(text, opts.file, opts.maxChars), opts);
}
/** One YAML document as a plain value; an empty (or comment-only) text is null. More than one document is an error. */
function readYaml(text, opts) {
    const docs = readYamlAll(text, opts);
    if (docs.length > 1)
        throw new YamlError(opts.file, 'syntax', `holds ${docs.length} documents (separated by ---); expected one`);
    return docs.length ? docs[0] : null;
}
// Documents whose aliases were counted by yamlEvents(); the rest keep the `yaml` package's own bound.
const measured = new WeakSet();
/** The event check for the `yaml` package's readers: true when it ran; false when js-yaml could not read the syntax. */
function checkForYamlPackage(text, file) {
    try {
        yamlEvents(text, file);
        return true;
    }
    catch (e) {
        if (!(e instanceof YamlError) || e.kind === 'limit')
            throw e;
        return false;
    }
}
function adopt(d, file, checked) {
    // The `yaml` package catches its own stack overflow and reports it as a syntax error at the deep spot.
    if (d.errors.some((e) => /Maximum call stack/.test(e.message)))
        throw new YamlError(file, 'limit', 'nests collections deeper than this reader can follow; it is not read');
    if (checked)
        measured.add(d);
    return d;
}
/**
 * Parses with the `yaml` package (source ranges, YAML 1.2 options, `lineCounter`), after the same
 * bounds. Syntax errors stay in each document's `errors` for the caller to word; a text js-yaml cannot
 * read at all (a leniency of the caller's options) is parsed without the event check, and
 * `yamlValue()` then falls back on the `yaml` package's own alias limit.
 */
function readYamlDocuments(text, opts) {
    const { file, ...options } = opts;
    const checked = checkForYamlPackage(text, file);
    const docs = parseAllDocuments(text, { prettyErrors: false, ...options, lineCounter: options.lineCounter ?? new LineCounter() });
    return (Array.isArray(docs) ? docs : []).map((d) => adopt(d, file, checked));
}
/** readYamlDocuments() for a text that must hold one document (a workflow file). */
function readYamlDocument(text, opts) {
    const { file, ...options } = opts;
    const checked = checkForYamlPackage(text, file);
    return adopt(parseDocument(text, { prettyErrors: false, ...options }), file, checked);
}
/** A document from readYamlDocuments() as a plain value; an alias bomb the event check could not see ends as a YamlError. */
function yamlValue(doc, file) {
    try {
        return doc.toJS({ maxAliasCount: measured.has(doc) ? -1 : 1000 });
    }
    catch (e) {
        if (e instanceof ReferenceError)
            throw new YamlError(file, 'limit', `expands through its aliases beyond what is read (${e.message}); it is not read`);
        throw e;
    }
}


/***/ })

};
