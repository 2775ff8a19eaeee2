// dockerfile-utils' validate: what rcjsuen's language server and `dockerfile-utils lint` run on a file.
const { validate } = require('dockerfile-utils');
require('./common.cjs').run((text) => validate(text).length);
