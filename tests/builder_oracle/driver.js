// Runs a corpus of Builder inputs through Builder 4.2.1 in this one Node process, as its CLI
// (pleasebuild) would run each: stdin is a JSON list of cases, stdout a JSON list of results
// {id, output, error, warnings}. Each case names a folder holding its files and the input file.
'use strict';

const fs = require('fs');
const path = require('path');
const Builder = require('Builder');

const ANSI = /\u001b\[\d+m/g;
const quiet = {debug() {}, info() {}, warning() {}, error() {}};

function runCase(item) {
  process.chdir(item.dir);
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, item.env || {});
  const warnings = [];
  const consoleError = console.error;
  console.error = (...parts) => warnings.push(parts.join(' ').replace(ANSI, ''));
  try {
    const builder = new Builder({libs: item.libs || []});
    builder.logger = quiet;
    const machine = builder.machine;
    machine.generateLineControlStatements = Boolean(item.lineControl);
    machine.useCache = false;
    machine.readers.file.inputFileDir = path.dirname(path.resolve(item.input));
    machine.excludeList = '';
    machine.remoteRelativeIncludes = Boolean(item.remoteRelative);
    machine.suppressDupWarning = Boolean(item.suppressDuplicates);
    const output = machine.execute(`@include "${item.input.replace(/"/g, "'")}"`, item.defines || {});
    return {id: item.id, output, error: null, warnings};
  } catch (e) {
    return {id: item.id, output: null, error: String((e && e.message) || e).replace(ANSI, ''), warnings};
  } finally {
    console.error = consoleError;
  }
}

const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
const saved = Object.assign({}, process.env);
const results = cases.map(runCase);
Object.assign(process.env, saved);
process.stdout.write(JSON.stringify(results));
