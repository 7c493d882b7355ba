/* main.c — the maasim command line (placeholder until the foundation lands). */
#include <stdio.h>

int main(void)
{
	puts("maasim: foundation in progress");
	return 0;
}
