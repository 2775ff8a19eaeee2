-- Drives Neovim 0.7's built-in LSP client against `xlint lsp --stdio` (run headless by
-- test/e2e/neovim.test.ts): open a Dockerfile, wait for xlint's diagnostics, request the code
-- actions at the first one, apply the preferred quick fix, save, and wait for the diagnostic to
-- clear. Writes what it saw as JSON to $XLINT_RESULT; never sleeps a fixed time (vim.wait polls).
local cli = os.getenv('XLINT_CLI')
local file = os.getenv('XLINT_FILE')
local result_path = os.getenv('XLINT_RESULT')
local result = { steps = {} }

local function finish(err)
  if err then result.error = err end
  local f = io.open(result_path, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qa!')
end

local function step(name) table.insert(result.steps, name) end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'dockerfile'
  local client_id = vim.lsp.start_client({
    name = 'xlint',
    cmd = { 'node', cli, 'lsp', '--stdio' },
    root_dir = vim.fn.fnamemodify(file, ':h'),
    settings = { xlint = { platforms = { 'linux/amd64', 'linux/arm64' }, buildPlatform = 'linux/amd64' } },
  })
  assert(client_id, 'the client did not start')
  vim.lsp.buf_attach_client(bufnr, client_id)
  step('attached')

  local function xlint_diagnostics()
    return vim.tbl_filter(function(d) return d.source == 'xlint' end, vim.diagnostic.get(bufnr))
  end
  assert(vim.wait(15000, function() return #xlint_diagnostics() > 0 end, 10), 'no diagnostics from xlint')
  result.before = vim.tbl_map(function(d)
    return { code = d.code, message = d.message, lnum = d.lnum, col = d.col, end_col = d.end_col, severity = d.severity }
  end, xlint_diagnostics())
  step('diagnostics')

  local d = xlint_diagnostics()[1]
  local client = vim.lsp.get_client_by_id(client_id)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } },
    context = { diagnostics = { { range = { start = { line = d.lnum, character = d.col }, ['end'] = { line = d.end_lnum, character = d.end_col } }, message = d.message, code = d.code } } },
  }
  local response = client.request_sync('textDocument/codeAction', params, 10000, bufnr)
  assert(response and not response.err, 'codeAction failed: ' .. vim.inspect(response))
  result.actions = vim.tbl_map(function(a) return { title = a.title, kind = a.kind, isPreferred = a.isPreferred or false } end, response.result)
  step('code actions')

  local chosen
  for _, action in ipairs(response.result) do
    if action.isPreferred and action.edit then chosen = action break end
  end
  assert(chosen, 'no preferred quick fix')
  vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
  result.applied = chosen.title
  vim.cmd('write')
  step('applied')

  assert(vim.wait(15000, function() return #xlint_diagnostics() == 0 end, 10), 'the diagnostic did not clear')
  step('cleared')
  client.stop()
end)
finish(not ok and tostring(err) or nil)
