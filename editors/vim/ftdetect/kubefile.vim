autocmd BufNewFile,BufRead Kubefile,Kubefile.*,*.kubefile setfiletype kubefile
