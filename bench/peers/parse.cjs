// dockerfile-ast's parse alone: the floor any Dockerfile tool built on it pays.
const { DockerfileParser } = require('dockerfile-ast');
require('./common.cjs').run((text) => (DockerfileParser.parse(text), 0));
