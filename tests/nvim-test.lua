-- Run by tests/nvim.sh in `nvim --headless`: the shipped editors/nvim
-- setup starts kfls for a Kubefile; this writes the diagnostics Neovim
-- holds, then the buffer after a formatting request, to $KF_NVIM_OUT.
local out = assert(io.open(os.getenv('KF_NVIM_OUT'), 'w'))
local function done(code)
  out:close()
  vim.cmd((code == 0) and 'qa!' or ('cq ' .. code))
end
vim.opt.runtimepath:append(os.getenv('KF_SRCDIR') .. '/editors/nvim')
vim.cmd('runtime! ftdetect/kubefile.lua')
-- what Neovim does after the init file (this one runs everything in it)
vim.cmd('syntax on')
require('kfls').setup({ cmd = { os.getenv('KFLS') } })
vim.cmd('edit ' .. vim.fn.fnameescape(os.getenv('KF_NVIM_FILE')))
out:write('filetype ' .. vim.bo.filetype .. '\n')
if not vim.wait(10000, function() return #vim.diagnostic.get(0) > 0 end, 20) then
  out:write('no diagnostics\n')
  return done(1)
end
for _, d in ipairs(vim.diagnostic.get(0)) do
  out:write(string.format('%d:%d %s %s\n', d.lnum + 1, d.col + 1, vim.diagnostic.severity[d.severity], d.message))
end
-- kfls attached: completion through 'omnifunc'; highlighting from the
-- shipped syntax/kubefile.vim (no semantic tokens in 0.7)
out:write('omnifunc ' .. vim.bo.omnifunc .. '\n')
out:write('syntax ' .. (vim.b.current_syntax or '-') .. '\n')
for _, p in ipairs({ { 1, 1 }, { 2, 5 }, { 2, 9 } }) do
  local id = vim.fn.synID(p[1], p[2], 1)
  out:write(string.format('%d:%d %s %s\n', p[1], p[2], vim.fn.synIDattr(id, 'name'),
    vim.fn.synIDattr(vim.fn.synIDtrans(id), 'name')))
end
if vim.lsp.buf.format then
  vim.lsp.buf.format({ async = false, timeout_ms = 5000 })
else
  vim.lsp.buf.formatting_sync(nil, 5000)
end
out:write('-- formatted\n')
for _, l in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
  out:write(l .. '\n')
end
done(0)
