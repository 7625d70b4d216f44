#!/usr/bin/env node
// validate.js: Learning Locker's xAPI validator judges Drillhall's statements.
//
// Drillhall's own tests cannot prove that its statements are valid xAPI:
// they only prove that the builders do what their author believed. This
// script hands every statement to xapi-validation (the library Learning
// Locker's LRS runs on every statement it receives) and prints each problem
// it reports, then adds the few rules of the xAPI 1.0.3 data spec that the
// library does not check (response patterns naming real components, UTC
// timestamps with milliseconds, unique statement ids). Any problem fails.
//
//   node validate.js FILE...                 every statement must pass
//   node validate.js --expect-invalid FILE   every statement must FAIL
//                                            (proves the judge can say no)
//
// A FILE holds one statement or a JSON array of them.
'use strict';

const fs = require('fs');
const validate = require('xapi-validation').default;

// Schema violations are errors; the library's semantic rules (raw score
// above max, context.platform on a non-activity, ...) are its "warnings".
// Both fail the run: an LRS answers either with 400 Bad Request.
const SCHEMA_PROBLEMS = new Set([
  'Warning', 'TypeWarning', 'RequiredWarning', 'RestrictedKeysWarning', 'ExceptionWarning', 'Warnings',
]);

function describe(w) {
  const where = (w.path || []).join('.') || '(statement)';
  let detail = '';
  if (w.keys) detail = ` unexpected member(s): ${w.keys.join(', ')}`;
  else if (w.typeName) detail = ` expected ${w.typeName}`;
  else if (w.type) detail = ` expected ${typeof w.type === 'function' ? w.type.name : w.type}`;
  else if (w.exception) detail = ` ${w.exception.message || w.exception}`;
  else if (w.usedIfis) detail = ` identifiers used: ${w.usedIfis.join(', ')}`;
  else if (w.invalidComponents) detail = ` components not allowed here: ${w.invalidComponents.join(', ')}`;
  const shown = w.data === undefined ? '' : ` (value: ${JSON.stringify(w.data).slice(0, 120)})`;
  return `${where}: ${w.name || 'Warning'}${detail}${shown}`;
}

function libraryProblems(statement) {
  let warnings;
  try {
    warnings = validate(statement);
  } catch (e) {
    // rulr throws a Warnings bundle from maybe(); anything else is a crash.
    warnings = e && e.warnings ? e.warnings : [{name: 'ExceptionWarning', path: [], exception: e}];
  }
  return warnings.map((w) => ({
    severity: SCHEMA_PROBLEMS.has(w.name) ? 'error' : 'warning',
    text: `xapi-validation: ${describe(w)}`,
  }));
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// Ids a response pattern uses, for the interaction types whose patterns
// name components (xAPI 1.0.3 Data 2.4.4.1.1, response-pattern table).
function patternIds(type, pattern) {
  const items = pattern.split('[,]').filter((s) => s !== '');
  if (type === 'choice' || type === 'sequencing') return items.map((id) => ({list: 'choices', id}));
  if (type === 'matching') {
    return items.flatMap((pair) => {
      const [src, tgt, extra] = pair.split('[.]');
      if (extra !== undefined || tgt === undefined) return [{list: 'pair', id: pair}];
      return [{list: 'source', id: src}, {list: 'target', id: tgt}];
    });
  }
  return [];
}

function specProblems(statement, seenIds) {
  const out = [];
  const err = (text) => out.push({severity: 'error', text: `xAPI 1.0.3: ${text}`});
  if (typeof statement.id !== 'string') err('id: a statement id must be set when it is created');
  else if (seenIds.has(statement.id)) err(`id: ${statement.id} is used by another statement`);
  else seenIds.add(statement.id);
  if (statement.version !== '1.0.3') err(`version: expected "1.0.3", got ${JSON.stringify(statement.version)}`);
  if (!TIMESTAMP.test(statement.timestamp || '')) {
    err(`timestamp: expected UTC with milliseconds (2026-11-28T04:15:26.123Z), got ${statement.timestamp}`);
  }
  const duration = (statement.result || {}).duration;
  if (typeof duration === 'string' && duration.startsWith('-')) err(`result.duration: ${duration} is negative`);
  const actor = statement.actor || {};
  if (actor.mbox || actor.mbox_sha1sum) err('actor: Drillhall identifies trainees by account, never by e-mail');
  const def = (statement.object || {}).definition || {};
  const type = def.interactionType;
  if (type) {
    const lists = {choices: def.choices, source: def.source, target: def.target};
    for (const name of Object.keys(lists)) {
      const ids = (lists[name] || []).map((c) => c.id);
      if (new Set(ids).size !== ids.length) err(`object.definition.${name}: component ids repeat`);
    }
    const check = (where, pattern) => {
      for (const {list, id} of patternIds(type, pattern)) {
        if (list === 'pair') err(`${where}: "${id}" is not a source[.]target pair`);
        else if (!(lists[list] || []).some((c) => c.id === id)) {
          err(`${where}: "${id}" is not one of the ${list} of this interaction`);
        }
      }
      if (type === 'true-false' && pattern !== 'true' && pattern !== 'false') {
        err(`${where}: a true-false response is "true" or "false", not "${pattern}"`);
      }
      if (type === 'numeric' && !/^(-?\d+(\.\d+)?(e-?\d+)?)?(\[:\](-?\d+(\.\d+)?(e-?\d+)?)?)?$/.test(pattern)) {
        err(`${where}: "${pattern}" is not a number or a range a[:]b`);
      }
    };
    (def.correctResponsesPattern || []).forEach((p, i) => check(`object.definition.correctResponsesPattern.${i}`, p));
    const result = statement.result || {};
    if (typeof result.response === 'string') check('result.response', result.response);
  }
  return out;
}

function load(file) {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  return Array.isArray(data) ? data : [data];
}

function main(argv) {
  const expectInvalid = argv[0] === '--expect-invalid';
  const files = expectInvalid ? argv.slice(1) : argv;
  if (files.length === 0) {
    console.error('usage: node validate.js [--expect-invalid] FILE...');
    return 2;
  }
  let statements = 0;
  let bad = 0;
  let failures = 0;
  const seenIds = new Set();
  for (const file of files) {
    let list;
    try {
      list = load(file);
    } catch (e) {
      console.error(`${file}: cannot read statements: ${e.message}`);
      failures++;
      continue;
    }
    list.forEach((statement, i) => {
      statements++;
      const label = `${file}[${i}] ${statement && statement.id ? statement.id : '(no id)'}`;
      const problems = libraryProblems(statement).concat(specProblems(statement || {}, seenIds));
      if (problems.length > 0) bad++;
      if (expectInvalid) {
        if (problems.length === 0) {
          console.error(`${label}: accepted, but this statement is broken on purpose and must be rejected`);
          failures++;
        } else {
          console.log(`${label}: rejected as expected (${problems.map((p) => p.text).join('; ')})`);
        }
        return;
      }
      for (const p of problems) console.error(`${label}: ${p.severity}: ${p.text}`);
      failures += problems.length;
    });
  }
  if (expectInvalid) {
    console.log(`validate.js: ${bad} of ${statements} broken statements rejected`);
  } else {
    console.log(`validate.js: ${statements - bad} of ${statements} statements valid, ${failures} problems`);
  }
  return failures === 0 && statements > 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
