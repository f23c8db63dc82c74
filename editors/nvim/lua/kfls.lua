-- kfls for Neovim: starts the Kubefile language server for kubefile buffers.
--
--   require('kfls').setup({ cmd = { 'kfls' }, settings = { kubefile = { dialect = 'sealer' } } })
--
-- Uses vim.lsp.start (Neovim 0.8+) when there is one, else
-- vim.lsp.start_client + vim.lsp.buf_attach_client (0.7). The settings are
-- the kubefile.* keys of docs/kfls.md (the same as .kflint.yaml). Each
-- buffer kfls attaches to gets 'omnifunc' set to vim.lsp.omnifunc.
local M = {}

local function root_dir(fname)
  local dir = vim.fn.fnamemodify(fname, ':p:h')
  local found = vim.fn.findfile('.kflint.yaml', dir .. ';')
  if found ~= '' then
    return vim.fn.fnamemodify(found, ':p:h')
  end
  return dir
end

-- On attach: <C-x><C-o> completes through kfls (omnifunc), then the
-- caller's on_attach.
local function on_attach(user)
  return function(client, bufnr)
    vim.api.nvim_buf_set_option(bufnr, 'omnifunc', 'v:lua.vim.lsp.omnifunc')
    if user then
      user(client, bufnr)
    end
  end
end

function M.config(opts)
  opts = opts or {}
  local settings = opts.settings or { kubefile = {} }
  return {
    name = 'kfls',
    cmd = opts.cmd or { 'kfls' },
    root_dir = root_dir(vim.api.nvim_buf_get_name(0)),
    settings = settings,
    init_options = settings,
    on_attach = on_attach(opts.on_attach),
  }
end

local clients = {}

function M.start(opts)
  local bufnr = vim.api.nvim_get_current_buf()
  local cfg = M.config(opts)
  if vim.lsp.start then
    return vim.lsp.start(cfg, { bufnr = bufnr })
  end
  -- Neovim 0.7: one client per root directory
  local id = clients[cfg.root_dir]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(cfg)
    clients[cfg.root_dir] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

function M.setup(opts)
  vim.api.nvim_create_autocmd('FileType', {
    pattern = 'kubefile',
    callback = function() M.start(opts) end,
  })
end

-- nvim-lspconfig: require('kfls').lspconfig() registers "kfls", then
-- require('lspconfig').kfls.setup({}) as for any server.
function M.lspconfig()
  local configs = require('lspconfig.configs')
  if not configs.kfls then
    configs.kfls = {
      default_config = {
        cmd = { 'kfls' },
        filetypes = { 'kubefile' },
        root_dir = function(fname) return root_dir(fname) end,
        settings = { kubefile = {} },
        on_attach = on_attach(nil),
      },
    }
  end
end

return M
