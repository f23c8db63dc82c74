-- Kubefile, Kubefile.* and *.kubefile are kubefile files.
vim.cmd([[autocmd BufNewFile,BufRead Kubefile,Kubefile.*,*.kubefile setfiletype kubefile]])
