echo stub
